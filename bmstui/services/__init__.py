"""Box-office actions: the one way in for the TUI, scripts and tests alike."""
