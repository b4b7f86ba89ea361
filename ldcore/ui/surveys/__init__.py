"""The Surveys page, one module per tab; each tab is a `draw(page)` function others can extend."""
