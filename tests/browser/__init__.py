"""Browser tests of the web app (Playwright in Debian's Chromium)."""
