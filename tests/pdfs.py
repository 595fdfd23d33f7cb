"""Reading PDFs in tests with poppler-utils: text, fonts, page count, letters."""

import re
import subprocess
import unicodedata
from pathlib import Path


def pdf_text(path: Path, page: int | None = None) -> str:
    """The text pdftotext reads, laid out as printed; one page (from 1) or all of them."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    command = ["pdftotext", "-layout", *pages, str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def pdf_fonts(path: Path) -> list[tuple[str, str]]:
    """Return (font name, embedded yes/no) for each font pdffonts lists, without the subset prefix."""
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [(line.split()[0].split("+")[-1], line.split()[-5]) for line in lines[2:]]


def pdf_info(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def page_count(path: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", pdf_info(path)).group(1))


def letters(text: str) -> set[str]:
    return {char for char in unicodedata.normalize("NFKC", text) if char.isalpha()}
