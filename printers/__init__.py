"""printers: slips and notices for ESC/POS thermal printers (热敏打印机), in Chinese.

The package is a pure core with thin I/O at the edge, like h11: a slip or notice becomes a
:class:`printers.layout.Document` (lines already folded to the paper width), which renders
both to ESC/POS bytes (:mod:`printers.escpos_render`) and to a PNG preview
(:mod:`printers.preview`) from the same glyph grid, so what you look at is what prints.
Only :mod:`printers.backends` touches hardware, through python-escpos's single ``_raw`` hook.

It never imports Qt, MQTT or the hub.
"""
