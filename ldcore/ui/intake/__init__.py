"""Strategy intake, one module per step; each step draws with `scaffold` and saves through `scaffold.Step`."""
