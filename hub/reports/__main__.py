"""``python -m hub.reports daily --db hall.db --date 2026-11-23 --out report.xlsx`` (same as ``hallq report``)."""

import sys

from hub.reports.cli import main

sys.exit(main())
