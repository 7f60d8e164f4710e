"""Layer 4, model: what a run covers and its state in the lake (work), one item end to end
(ingest), the game-log check (gamelog). Pure over a Lake; imports core, nba and lake."""
