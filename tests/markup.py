"""The W3C Nu Html Checker (npm `vnu-jar`, run on Debian's Java) over saved HTML files: one JVM
for the whole set, since starting Java is the slow part. Used by the browser tests and by
scripts/audit."""

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def html_errors(files: list[Path]) -> list[str]:
    """Every error the checker finds in `files`, as "name:line: message" (warnings are left
    out: they are advice, not invalid markup)."""
    java = shutil.which("java")
    assert java, "the Nu Html Checker needs Java: scripts/test installs default-jre-headless"
    assert VNU_JAR.is_file(), "the Nu Html Checker is missing: run npm ci"
    result = subprocess.run(
        [java, "-Xss2m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
         *map(str, files)], capture_output=True, text=True, timeout=600, check=False)
    # vnu writes its report to stderr, and exits 1 when it found an error.
    report = json.loads(result.stderr or '{"messages": []}')
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']}"
            f" ({m.get('extract', '').strip()[:80]!r})"
            for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
