package fallback

import "time"

// Clock tells the server the time; tests hand in a fake.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
}

// SystemClock is the Clock of the machine.
type SystemClock struct{}

var _ Clock = SystemClock{}

// Now implements Clock with time.Now.
func (SystemClock) Now() time.Time { return time.Now() }
