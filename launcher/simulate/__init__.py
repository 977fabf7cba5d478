"""The simulated devices of the hall, driven through the real hub and broker.

:mod:`~launcher.simulate.model` says what a day looks like (arrivals by the hour, matters by
frequency, service times, staffing) and what each device sends; :mod:`~launcher.simulate.devices`
is every simulated device's way to the hub (transport, rate limit, retries). Two drivers play them:
:mod:`~launcher.simulate.engine` a whole day (``hallq simulate``) against a hub whose clock it moves,
:mod:`~launcher.simulate.live` on the wall clock beside real device windows (``hallq demo``).
:mod:`~launcher.simulate.report` reads the resulting database back, and :mod:`~launcher.simulate.run`
wires broker, hub and day.
"""
