package fallback

import "errors"

// ErrInvalidScope is wrapped by every error NewServer and UpdateScope return
// for a Scope that does not validate; the message names the field.
var ErrInvalidScope = errors.New("invalid fallback scope")
