"""`python -m helpers.run`: see helpers/run/cli.py."""
import sys
import traceback

from .cli import main

try:
    sys.exit(main())
except KeyboardInterrupt:
    sys.exit(130)
except Exception:  # noqa: BLE001 - last resort: a message, not a bare traceback
    traceback.print_exc()
    sys.exit(1)
