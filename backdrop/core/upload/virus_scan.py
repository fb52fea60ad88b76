"""Spec 7.1's virus scan, optional: an uploaded file is written to a private temporary file
and checked by a scanner command (the original ran ClamAV's `clamdscan`), given as
BACKDROP_UPLOAD_VIRUS_SCAN and skipped when SKIP_VIRUS_SCAN is set.

The command gets the file's path as its last argument and answers as clamdscan does: exit 0
clean, 1 infected (the upload is refused with `file may contain a virus`). Anything else (exit 2,
no answer within the timeout, a command that cannot be run) means the file was not checked: the
upload is refused with a 503 (ScannerUnavailable), never accepted unchecked.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self

from backdrop.core.config import Settings
from backdrop.core.errors import ScannerUnavailable
from backdrop.core.upload.excel_timers import Timing

logger = logging.getLogger(__name__)

INFECTED = "file may contain a virus"
NOT_SCANNED = "The file could not be scanned for viruses, so it was not stored; try again later"
CLEAN, FOUND = 0, 1  # clamdscan's exit statuses (2: an error)
# The original timed its check under this statsd name (without a data set).
TIMER = "uploaded_file._is_potential_virus"


@dataclass(frozen=True, slots=True)
class VirusScan:
    """The scanner command (its arguments; the file's path is added last) and how many
    seconds it may take."""

    command: tuple[str, ...]
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Self | None:
        """The configured scan, or None when there is none (or SKIP_VIRUS_SCAN is set)."""
        if not settings.upload_virus_scan:
            return None
        return cls(settings.upload_virus_scan, settings.upload_virus_scan_timeout)

    def infected(self, stream: IO[bytes], timing: Timing | None = None) -> bool:
        """Does the scanner flag the file in `stream` (read from the start, left at the
        start)? Raises ScannerUnavailable when it cannot say."""
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="backdrop-scan-") as directory:
            path = Path(directory) / "upload"
            stream.seek(0)
            with path.open("wb") as copy:
                shutil.copyfileobj(stream, copy)
            stream.seek(0)
            status = self._run(path)
        if timing is not None:
            timing(TIMER, time.perf_counter() - started, 1.0)
        if status in (CLEAN, FOUND):
            return status == FOUND
        raise self._failed(f"the scanner exited with status {status}")

    def _run(self, path: Path) -> int:
        try:
            scanner = subprocess.Popen(
                [*self.command, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: a timeout ends all of it
            )
        except OSError as exc:
            raise self._failed(
                f'the scanner command "{Path(self.command[0]).name}" cannot be run'
            ) from exc
        try:
            return scanner.wait(self.timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(scanner.pid, signal.SIGKILL)
            scanner.wait()
            raise self._failed(
                f"the scanner did not finish within {self.timeout:g} seconds"
            ) from exc

    @staticmethod
    def _failed(reason: str) -> ScannerUnavailable:
        logger.warning("virus scan failed", extra={"reason": reason})
        return ScannerUnavailable(NOT_SCANNED, detail=reason[0].upper() + reason[1:])
