package config

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxFileSize bounds the config file, so a wrong path (a log, a device)
// fails fast instead of filling memory. A trunk of 4,094 VLANs, each with
// its own fallback scope and a few options, is about 2 MiB of YAML; 16 MiB
// leaves room for reservations.
const maxFileSize = 16 << 20

// rawFile is the config file as written: every key optional (a nil pointer
// is "unset"), nothing validated yet. See deploy/iphelper.yaml.
type rawFile struct {
	MaxHops       *int           `yaml:"max-hops,omitempty"`
	MaxPacketSize *int           `yaml:"max-packet-size,omitempty"`
	Hostname      *string        `yaml:"hostname,omitempty"`
	LeaseDB       *string        `yaml:"lease-db,omitempty"`
	LeaseStore    *string        `yaml:"lease-store,omitempty"`
	Etcd          *rawEtcd       `yaml:"etcd,omitempty"`
	HelperRate    *string        `yaml:"helper-rate-limit,omitempty"`
	HelperBurst   *int           `yaml:"helper-rate-limit-burst,omitempty"`
	PollAbove     *string        `yaml:"poll-above,omitempty"`
	Log           rawLog         `yaml:"log,omitempty"`
	Failover      *rawFailover   `yaml:"failover,omitempty"`
	Defaults      rawSettings    `yaml:"defaults,omitempty"`
	Interfaces    []rawInterface `yaml:"interfaces,omitempty"`
}

// rawLog is the log: block.
type rawLog struct {
	Level  *string `yaml:"level,omitempty"`
	Format *string `yaml:"format,omitempty"`
}

// rawInterface is one entry of interfaces:.
type rawInterface struct {
	Name        *string `yaml:"name,omitempty"`
	rawSettings `yaml:",inline"`
}

// rawSettings are the per-interface keys, also allowed under defaults:.
type rawSettings struct {
	HelperAddresses   *[]string            `yaml:"helper-addresses,omitempty,flow"`
	GIAddr            *string              `yaml:"giaddr,omitempty"`
	SourceInterface   *string              `yaml:"source-interface,omitempty"`
	Trusted           *bool                `yaml:"trusted,omitempty"`
	InformationOption rawOption82          `yaml:"information-option,omitempty"`
	RateLimit         rawRateLimit         `yaml:"rate-limit,omitempty"`
	VerifyCHAddr      *bool                `yaml:"verify-chaddr,omitempty"`
	Fallback          *rawFallback         `yaml:"fallback,omitempty"`
	ForwardProtocol   *[]string            `yaml:"forward-protocol,omitempty,flow"`
	PortHelpers       *map[string][]string `yaml:"port-helpers,omitempty"`
	DirectedBroadcast *bool                `yaml:"directed-broadcast,omitempty"`
}

// rawRateLimit is the rate-limit: block. Rates are strings such as "10/s"
// or "off" (see ParseRate).
type rawRateLimit struct {
	Interface      *string `yaml:"interface,omitempty"`
	InterfaceBurst *int    `yaml:"interface-burst,omitempty"`
	Client         *string `yaml:"client,omitempty"`
	ClientBurst    *int    `yaml:"client-burst,omitempty"`
	MaxClients     *int    `yaml:"max-clients,omitempty"`
}

// rawOption82 is the information-option: block.
type rawOption82 struct {
	Insert           *bool   `yaml:"insert,omitempty"`
	Policy           *string `yaml:"policy,omitempty"`
	Check            *bool   `yaml:"check,omitempty"`
	CircuitID        *string `yaml:"circuit-id,omitempty"`
	RemoteID         *string `yaml:"remote-id,omitempty"`
	SubscriberID     *string `yaml:"subscriber-id,omitempty"`
	LinkSelection    *bool   `yaml:"link-selection,omitempty"`
	ServerIDOverride *bool   `yaml:"server-id-override,omitempty"`
}

// rawFallback is the fallback: block. Durations are ParseDuration
// strings (days allowed).
type rawFallback struct {
	Enabled            *bool             `yaml:"enabled,omitempty"`
	Pools              *[]string         `yaml:"pools,omitempty,flow"`
	Exclude            *[]string         `yaml:"exclude,omitempty,flow"`
	Reservations       *[]rawReservation `yaml:"reservations,omitempty"`
	Router             *[]string         `yaml:"router,omitempty,flow"`
	DNS                *[]string         `yaml:"dns,omitempty,flow"`
	Domain             *string           `yaml:"domain,omitempty"`
	Options            *[]rawOption      `yaml:"options,omitempty"`
	NextServer         *string           `yaml:"next-server,omitempty"`
	BootFile           *string           `yaml:"boot-file,omitempty"`
	LeaseTime          *string           `yaml:"lease-time,omitempty"`
	T1                 *string           `yaml:"t1,omitempty"`
	T2                 *string           `yaml:"t2,omitempty"`
	OfferDelay         *string           `yaml:"offer-delay,omitempty"`
	DownAfter          *int              `yaml:"down-after,omitempty"`
	TransactionTimeout *string           `yaml:"transaction-timeout,omitempty"`
	ProbeCount         *int              `yaml:"probe-count,omitempty"`
	MaxOffers          *int              `yaml:"max-offers-outstanding,omitempty"`
	ReserveForKnown    *int              `yaml:"reserve-for-known,omitempty"`
	ProbeTimeout       *string           `yaml:"probe-timeout,omitempty"`
	DeclineQuarantine  *string           `yaml:"decline-quarantine,omitempty"`
	OfferHold          *string           `yaml:"offer-hold,omitempty"`
	Failback           *string           `yaml:"failback,omitempty"`
	UseSecs            *bool             `yaml:"use-secs,omitempty"`
	SecsThreshold      *string           `yaml:"secs-threshold,omitempty"`
	FailoverMode       *string           `yaml:"failover-mode,omitempty"`
	FailoverRole       *string           `yaml:"failover-role,omitempty"`
	PartnerPools       *[]string         `yaml:"partner-pools,omitempty,flow"`
	DDNS               *rawDDNS          `yaml:"ddns,omitempty"`
}

// rawReservation is one entry of fallback: reservations:.
type rawReservation struct {
	MAC      *string `yaml:"mac,omitempty"`
	ClientID *string `yaml:"client-id,omitempty"`
	Address  *string `yaml:"address,omitempty"`
}

// decodeFile strictly decodes one YAML document (see decodeSource).
func decodeFile(data []byte) (rawFile, error) {
	src, err := decodeSource(data)
	if err != nil {
		return rawFile{}, joinCapped(unjoin(err))
	}
	return src.raw, nil
}

// cleanTypeError rewrites the decoder's per-line messages in the words of
// the config file: "unknown key" instead of "field not found in type", and
// no names of this package's raw types.
func cleanTypeError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	clean := &yaml.TypeError{Errors: make([]string, len(te.Errors))}
	for i, e := range te.Errors {
		if head, _, ok := strings.Cut(e, " not found in type config.raw"); ok {
			if line, field, ok := strings.Cut(head, ": field "); ok {
				e = line + fmt.Sprintf(": unknown key %q", field)
			}
		}
		if j := strings.Index(e, "[]config.raw"); j >= 0 {
			e = e[:j] + "a list"
		} else if j := strings.Index(e, "config.raw"); j >= 0 {
			e = e[:j] + "a mapping"
		}
		clean.Errors[i] = e
	}
	return clean
}
