"""Where the tests find the checkout and the contract, and whether they run under CI."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The contract's folder lies beside the checkout (never copied into it); BILATERAL_SHARED may point elsewhere.
SHARED = Path(os.environ.get("BILATERAL_SHARED", ROOT.parent / "shared"))
CONTRACT = SHARED / "contract"
IN_CI = os.environ.get("CI") == "true"
