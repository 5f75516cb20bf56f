package config

import "log/slog"

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
