/// The page's one stylesheet, inline (the server may have no internet: no fonts, scripts or CDNs). Marks and
/// cells carry a letter or a symbol besides their colour, so they read without colour vision; the colours are
/// from a palette that stays apart for the common colour-vision deficiencies.
enum StatusPageStyle {
    static let css = """
        :root{--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--lost:#424a53;--odd:#8250df;--none:#eaeef2;--fg:#1f2328;\
        --muted:#59636e;--line:#d1d9e0;--bg:#ffffff;--card:#f6f8fa}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;\
        color:var(--fg);background:var(--bg)}
        header,main,footer{max-width:1200px;margin:0 auto;padding:12px 16px}
        header{border-bottom:1px solid var(--line)}
        h1{font-size:22px;margin:0}
        h2{font-size:17px;margin:0 0 8px}
        .summary{margin:4px 0 0;color:var(--muted)}
        .jobs{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:12px;margin-top:12px}
        h2.tenant{margin:18px 0 0}
        .job{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--muted);border-radius:6px;\
        padding:10px 12px;min-width:0}
        .job.m-succeeded,.job.m-unchanged{border-left-color:var(--ok)}
        .job.m-failed{border-left-color:var(--bad)}
        .job.m-stale{border-left-color:var(--warn)}
        .job.m-running{border-left-color:#0969da}
        .mark{display:inline-block;font-weight:700;font-size:13px;padding:1px 6px;border-radius:4px;color:#fff;\
        background:var(--muted);margin-right:6px;white-space:nowrap}
        .m-succeeded .mark,.m-unchanged .mark{background:var(--ok)}
        .m-failed .mark{background:var(--bad)}
        .m-stale .mark{background:var(--warn)}
        .m-running .mark{background:#0969da}
        .source{color:var(--muted);font-weight:400;font-size:13px}
        dl{display:grid;grid-template-columns:minmax(0,max-content) minmax(12em,1fr);gap:2px 10px;margin:6px 0;font-size:14px}
        dt{color:var(--muted);overflow-wrap:anywhere}
        dd{margin:0;overflow-wrap:anywhere}
        .error{background:#ffebe9;border:1px solid #ffcecb;border-radius:4px;padding:6px 8px;font-size:13px;\
        overflow-wrap:anywhere;white-space:pre-wrap;margin:6px 0}
        .callout{background:#fff8c5;border:1px solid #d4a72c;border-radius:4px;padding:6px 8px;font-size:13px;margin:6px 0;\
        overflow-wrap:anywhere}
        code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
        .spark{margin:6px 0 0}
        .spark svg{width:100%;height:40px;display:block}
        .spark rect{fill:#0969da}
        .spark .zero{fill:var(--line)}
        figcaption{font-size:12px;color:var(--muted)}
        section{margin-top:20px}
        .scroll{overflow-x:auto}
        table.heat{border-collapse:separate;border-spacing:2px;font-size:12px}
        .heat th{font-weight:400;color:var(--muted);text-align:right;padding:0 4px;white-space:nowrap}
        .heat thead th{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;height:48px}
        .heat td{width:22px;height:22px;text-align:center;font-weight:700;border-radius:3px;color:#fff}
        .c-complete{background:var(--ok)}
        .c-partial{background:var(--warn)}
        .c-missing{background:var(--bad)}
        .c-lost{background:var(--lost)}
        .c-suspicious{background:var(--odd)}
        .c-none{background:var(--none);color:var(--muted)!important;font-weight:400!important}
        .legend{display:flex;flex-wrap:wrap;gap:10px;font-size:13px;margin-top:6px;padding:0;list-style:none}
        .legend span{display:inline-block;width:18px;height:18px;border-radius:3px;text-align:center;color:#fff;\
        font-weight:700;font-size:12px;margin-right:4px}
        .lane{display:grid;grid-template-columns:120px 1fr;gap:8px;align-items:center;margin:2px 0}
        .lane b{font-weight:400;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
        .lane svg{width:100%;height:18px;display:block;background:var(--card);border:1px solid var(--line)}
        .r-succeeded,.r-unchanged{fill:var(--ok)}
        .r-failed,.r-abandoned{fill:var(--bad)}
        .r-running{fill:#0969da}
        .r-cancelled{fill:var(--lost)}
        .axis{display:grid;grid-template-columns:120px 1fr;gap:8px;font-size:12px;color:var(--muted)}
        .axis div{display:flex;justify-content:space-between}
        footer{color:var(--muted);font-size:13px;border-top:1px solid var(--line);margin-top:20px}
        @media (max-width:600px){.jobs{grid-template-columns:1fr}.lane,.axis{grid-template-columns:80px 1fr}}
        """
}
