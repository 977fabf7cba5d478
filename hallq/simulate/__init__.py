"""A simulated hall day (``hallq simulate``) driven through the real hub and broker.

:mod:`~hallq.simulate.model` says what a day looks like (arrivals by the hour, matters by
frequency, service times, staffing), :mod:`~hallq.simulate.engine` plays it as the hall's
devices against a hub whose clock it moves, :mod:`~hallq.simulate.report` reads the
resulting database back, and :mod:`~hallq.simulate.run` wires broker, hub and day.
"""
