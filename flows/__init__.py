"""The pure core of the helpline: flows, dialogue engine, routing and ticket rules. No I/O."""
