package config

// IsPattern reports whether the entry's Name is a pattern (it holds '*',
// '?', '[', '\' or a numeric range such as {10-20}) rather than an exact
// interface name.
func (in *Interface) IsPattern() bool { return isPattern(in.Name) }

// Match returns the entry that configures the interface called name: the
// entry with exactly that name if there is one, else the first pattern, in
// file order, that matches it. The result points into c and must not be
// modified. Safe for concurrent use.
func (c *Config) Match(name string) (*Interface, bool) {
	for i := range c.Interfaces {
		if in := &c.Interfaces[i]; !in.IsPattern() && in.Name == name {
			return in, true
		}
	}
	for i := range c.Interfaces {
		if in := &c.Interfaces[i]; in.IsPattern() {
			if matchName(in.Name, name) {
				return in, true
			}
		}
	}
	return nil, false
}
