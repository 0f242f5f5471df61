"""The performance harness of s4top (issues 6 and 15).

Run from the repository root with the project's virtualenv:

    python -m benchmarks              # every scenario (~7 min on 2 cores); rewrites RESULTS.md
    python -m benchmarks catchup      # one scenario: catchup pipeline responsiveness bytes
                                      #   memory start link
    python -m benchmarks --quick      # tiny sizes, seconds: proves it runs (the CI smoke)
    python -m benchmarks memory --long   # with the 10-minute soak

It prints a table (figure, value, baseline, ratio, target, pass) and writes the same as JSON
(benchmarks/results.json). Every figure has a baseline measured in the same run. It drives the
real program: the simulator in its own process over loopback, the app headless where stated,
and the installed `s4top` in a real pseudo-terminal for bytes, frames and key latency.
"""
