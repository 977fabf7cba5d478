"""Window-top LED bars and the hall LED strip (窗口条屏 / 大厅通屏) over serial (RS-232/RS-485).

* :mod:`display.led.protocols` — pure frame encoders *and* decoders, one class per
  controller protocol: a generic GB2312 line-text protocol with configurable framing,
  and the Onbon/仰邦 BX-5/BX-6 "dynamic area" command (RAM, not flash).
* :mod:`display.led.link` — the serial port: a writer thread that never blocks the app,
  keeps only the newest text per area, reopens the port when it comes back and re-sends
  what the bar should show (a power-cycled bar has lost its RAM areas).
* :mod:`display.led.simulator` — reads a serial port (a socat pty or ``loop://``), decodes
  frames with the same protocol classes and reports what the bar would show.
"""

from display.led.link import LedDriver, SerialLink
from display.led.protocols import PROTOCOLS, BxDynamicArea, LedFrame, LedProtocol, LineText, make_protocol

__all__ = ["PROTOCOLS", "BxDynamicArea", "LedDriver", "LedFrame", "LedProtocol", "LineText", "SerialLink",
           "make_protocol"]
