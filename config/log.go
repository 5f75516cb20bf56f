package config

import "log/slog"

// Log configures log/slog.
type Log struct {
	// Level is "debug", "info", "warn" or "error".
	Level string
	// Format is "text" or "json".
	Format string
}

// SlogLevel returns Level as a slog.Level (info for an unknown name, which
// validation does not let through).
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
