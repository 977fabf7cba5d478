"""A simulated hall day (``hallq simulate``) driven through the real hub and broker.

:mod:`~launcher.simulate.model` says what a day looks like (arrivals by the hour, matters by
frequency, service times, staffing), :mod:`~launcher.simulate.engine` plays it as the hall's
devices against a hub whose clock it moves, :mod:`~launcher.simulate.report` reads the
resulting database back, and :mod:`~launcher.simulate.run` wires broker, hub and day.
"""
