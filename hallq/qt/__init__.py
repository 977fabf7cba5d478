"""Qt glue shared by kiosk/, pad/ and display/ (the only place outside them that imports PySide6).

hub/ and printers/ never import this package; the layering test checks it.
"""
