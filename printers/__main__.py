"""``python -m printers slip --sample …`` without the main hallq CLI."""

from printers.cli import main

raise SystemExit(main())
