"""Placeholder of the app's catalogue (replaced by the Babel catalogue)."""  # noqa: D100
# ruff: noqa: D101, D102, D103

LANGUAGES = ("da", "en")
DEFAULT = "da"


def translate(text: str, lang: str) -> str:
    return text


def translate_error(message: str, lang: str) -> str:
    return message


def format_number(x: float, lang: str, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"
