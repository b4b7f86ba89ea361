"""The plan report in the formats leaders take into the room: a PowerPoint deck and a printed PDF."""
