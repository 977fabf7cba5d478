"""The simulated devices of the hall, driven through the real hub and broker.

:mod:`~launcher.simulate.model` says what a day looks like (arrivals by the hour, matters by
frequency, service times, staffing) and what each device sends; :mod:`~launcher.simulate.devices`
is every simulated device's way to the hub (transport, rate limit, retries). One engine plays them,
:mod:`~launcher.simulate.engine`: a whole day (``hallq simulate``) against a hub whose clock it moves
or that runs its own; :mod:`~launcher.simulate.live` plays its days fast on the wall clock beside real
device windows (``hallq demo``).
:mod:`~launcher.simulate.report` reads the resulting database back, and :mod:`~launcher.simulate.run`
wires broker, hub and day. :mod:`~launcher.simulate.month` plays the working days of a month through
one hub, and :mod:`~launcher.simulate.cases` carries every case opened at a 受理 through 转递, 签收,
补正, 办结 and 出件 across those days; :mod:`~launcher.simulate.live_cases` does the same in the demo,
a case's working day compressed into seconds, beside the cases the demo's people move.
"""
