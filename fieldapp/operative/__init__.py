"""The operative's phone: my day, the briefing, instructions, the ID card, the distress card."""
