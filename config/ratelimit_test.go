package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr string
	}{
		{in: "off", want: 0},
		{in: "10/s", want: 10},
		{in: "600/m", want: 10},
		{in: "1/h", want: 1.0 / 3600},
		{in: "0.5/s", want: 0.5},
		{in: "1000000/s", want: 1e6},
		{in: "10", wantErr: `bad rate "10": want N/s, N/m, N/h or off`},
		{in: "10/d", wantErr: `bad rate "10/d": want N/s, N/m, N/h or off`},
		{in: "", wantErr: `bad rate "": want N/s, N/m, N/h or off`},
		{in: "/s", wantErr: `bad rate "/s": "" is not a decimal number`},
		{in: "-1/s", wantErr: `bad rate "-1/s": "-1" is not a decimal number`},
		{in: "1e3/s", wantErr: `bad rate "1e3/s": "1e3" is not a decimal number`},
		{in: "inf/s", wantErr: `bad rate "inf/s": "inf" is not a decimal number`},
		{in: "1..2/s", wantErr: `bad rate "1..2/s": "1..2" is not a decimal number`},
		{in: "0/s", wantErr: `rate "0/s" is out of range 1/h..1000000/s (write off for no limit)`},
		{in: "0.5/h", wantErr: `rate "0.5/h" is out of range 1/h..1000000/s (write off for no limit)`},
		{in: "1000001/s", wantErr: `rate "1000001/s" is out of range 1/h..1000000/s (write off for no limit)`},
		{in: "OFF", wantErr: `bad rate "OFF": want N/s, N/m, N/h or off`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRate(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseRate(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRate(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseRate(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if back, err := ParseRate(FormatRate(got)); err != nil || back != got {
				t.Errorf("ParseRate(FormatRate(%v)) = %v, %v", got, back, err)
			}
		})
	}
}

// rateResult is the rate-limit part of a built config.
type rateResult struct {
	HelperRate  float64
	HelperBurst int
	RateLimits  map[string]RateLimit
	Verify      map[string]bool
}

func rateOf(cfg *Config) rateResult {
	r := rateResult{HelperRate: cfg.HelperRate, HelperBurst: cfg.HelperBurst,
		RateLimits: map[string]RateLimit{}, Verify: map[string]bool{}}
	for _, in := range cfg.Interfaces {
		r.RateLimits[in.Name] = in.RateLimit
		r.Verify[in.Name] = in.VerifyCHAddr
	}
	return r
}

func TestRateLimitConfig(t *testing.T) {
	const two = "interfaces:\n  - {name: eth1, helper-addresses: [198.51.100.2]}\n  - {name: eth2, helper-addresses: [198.51.100.2]}\n"
	def := defaultRateLimit()
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  rateResult
	}{
		{
			name: "built-in defaults",
			data: two,
			want: rateResult{
				RateLimits: map[string]RateLimit{"eth1": def, "eth2": def},
				Verify:     map[string]bool{"eth1": true, "eth2": true},
			},
		},
		{
			name: "defaults block, interface block, derived bursts",
			data: "defaults:\n  rate-limit: {interface: 100/s, client: 1/s, client-burst: 5, max-clients: 10}\n  verify-chaddr: false\n" +
				"interfaces:\n  - {name: eth1, helper-addresses: [198.51.100.2], rate-limit: {interface: 30/m}}\n" +
				"  - {name: eth2, helper-addresses: [198.51.100.2], rate-limit: {client: off, interface-burst: 1}, verify-chaddr: true}\n",
			want: rateResult{
				RateLimits: map[string]RateLimit{
					"eth1": {InterfaceRate: 0.5, InterfaceBurst: 1, ClientRate: 1, ClientBurst: 5, MaxClients: 10},
					"eth2": {InterfaceRate: 100, InterfaceBurst: 1, MaxClients: 10},
				},
				Verify: map[string]bool{"eth1": false, "eth2": true},
			},
		},
		{
			name: "helper ceiling from the file",
			data: two + "helper-rate-limit: 5000/s\n",
			want: rateResult{
				HelperRate: 5000, HelperBurst: 10000,
				RateLimits: map[string]RateLimit{"eth1": def, "eth2": def},
				Verify:     map[string]bool{"eth1": true, "eth2": true},
			},
		},
		{
			name:  "flags win over the file",
			data:  two + "helper-rate-limit: 5000/s\nhelper-rate-limit-burst: 7\ndefaults: {verify-chaddr: true}\n",
			flags: Flags{HelperRate: ptrTo("50/s"), InterfaceRate: ptrTo("off"), ClientRate: ptrTo("2/s"), VerifyCHAddr: ptrTo(false)},
			want: rateResult{
				HelperRate: 50, HelperBurst: 7,
				RateLimits: map[string]RateLimit{
					"eth1": {ClientRate: 2, ClientBurst: 4, MaxClients: 65536},
					"eth2": {ClientRate: 2, ClientBurst: 4, MaxClients: 65536},
				},
				Verify: map[string]bool{"eth1": false, "eth2": false},
			},
		},
		{
			name:  "interface block wins over global flags",
			data:  "interfaces:\n  - {name: eth1, helper-addresses: [198.51.100.2], rate-limit: {client: 3/s}}\n",
			flags: Flags{ClientRate: ptrTo("2/s")},
			want: rateResult{
				RateLimits: map[string]RateLimit{
					"eth1": {InterfaceRate: 2000, InterfaceBurst: 4000, ClientRate: 3, ClientBurst: 6, MaxClients: 65536},
				},
				Verify: map[string]bool{"eth1": true},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseTest(tt.data, tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rateOf(cfg)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRateLimitConfigErrors(t *testing.T) {
	const eth1 = "interfaces:\n  - name: eth1\n    helper-addresses: [198.51.100.2]\n"
	tests := []struct {
		name  string
		data  string
		flags Flags
		want  string
	}{
		{
			name: "bad interface rate",
			data: eth1 + "    rate-limit: {interface: 10}\n",
			want: `interface "eth1": rate-limit: interface: bad rate "10": want N/s, N/m, N/h or off`,
		},
		{
			name: "client rate out of range",
			data: eth1 + "    rate-limit: {client: 0/s}\n",
			want: `interface "eth1": rate-limit: client: rate "0/s" is out of range 1/h..1000000/s (write off for no limit)`,
		},
		{
			name: "bursts and max-clients out of range",
			data: eth1 + "    rate-limit: {interface-burst: 0, client-burst: 1000001, max-clients: 2000000}\n",
			want: `interface "eth1": rate-limit: interface-burst: 0 is out of range 1..1000000` + "\n" +
				`interface "eth1": rate-limit: client-burst: 1000001 is out of range 1..1000000` + "\n" +
				`interface "eth1": rate-limit: max-clients: 2000000 is out of range 1..1048576`,
		},
		{
			name: "in the defaults block",
			data: eth1 + "defaults: {rate-limit: {max-clients: -1}}\n",
			want: `defaults: rate-limit: max-clients: -1 is out of range 1..1048576`,
		},
		{
			name: "unknown key",
			data: eth1 + "    rate-limit: {clients: 10/s}\n",
			want: `4:18: interfaces[0].rate-limit: unknown key "clients" (did you mean "client"?)`,
		},
		{
			name: "helper rate and burst",
			data: eth1 + "helper-rate-limit: fast\nhelper-rate-limit-burst: 0\n",
			want: `helper-rate-limit: bad rate "fast": want N/s, N/m, N/h or off` + "\n" +
				`helper-rate-limit-burst: 0 is out of range 1..1000000`,
		},
		{
			name: "poll-above",
			data: eth1 + "poll-above: often\n",
			want: `poll-above: bad rate "often": want N/s, N/m, N/h or off`,
		},
		{
			name:  "poll-above flag",
			data:  eth1,
			flags: Flags{PollAbove: ptrTo("0/s")},
			want:  `--poll-above: rate "0/s" is out of range 1/h..1000000/s (write off for no limit)`,
		},
		{
			name:  "flags",
			data:  eth1,
			flags: Flags{InterfaceRate: ptrTo("1/x"), ClientRate: ptrTo("x/s"), HelperRate: ptrTo("2000000/s")},
			want: `--helper-rate-limit: rate "2000000/s" is out of range 1/h..1000000/s (write off for no limit)` + "\n" +
				`--rate-limit-interface: bad rate "1/x": want N/s, N/m, N/h or off` + "\n" +
				`--rate-limit-client: bad rate "x/s": "x" is not a decimal number`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseTest(tt.data, tt.flags)
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParseRate checks that ParseRate never panics, keeps its range, and
// that FormatRate round-trips what it accepts.
func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"off", "10/s", "600/m", "1/h", "0.5/s", "1e3/s", "/s", "10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			return
		}
		if r != 0 && (r < MinRate || r > MaxRate) {
			t.Fatalf("ParseRate(%q) = %v, out of range", s, r)
		}
		if back, err := ParseRate(FormatRate(r)); err != nil || back != r {
			t.Fatalf("ParseRate(FormatRate(%v)) = %v, %v", r, back, err)
		}
	})
}
