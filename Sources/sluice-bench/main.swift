// Benchmarks are added here by the performance work (issues 3 and 9).
print("sluice-bench: no benchmarks yet")
