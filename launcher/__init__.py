"""launcher: the roof, the one composition root that starts and wires everything.

The ``hallq`` command (:mod:`launcher.cli`), the demo, the in-process hall used by tests, demos,
screenshots and benchmarks (:mod:`launcher.local_hall`), the simulator, the screenshot scenes of
every device and the sample hall. Nothing below imports it; see docs/architecture.md.
"""
