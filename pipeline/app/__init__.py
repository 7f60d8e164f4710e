"""Layer 6, app: the process's runtime, a run's start, tracking and finish, its summary,
alerts and progress line, the plan, queries and the demo. Imports every layer below."""
