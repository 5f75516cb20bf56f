package relay

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/iphelper/iphelper/config"
)

func TestOption82Action(t *testing.T) {
	insert := func(p config.Policy) config.Option82 { return config.Option82{Insert: true, Policy: p} }
	noInsert := func(p config.Policy) config.Option82 { return config.Option82{Insert: false, Policy: p} }
	type result struct {
		Action opt82Action
		Reason Reason
	}
	tests := []struct {
		name    string
		o       config.Option82
		trusted bool
		facts   requestFacts
		want    result
	}{
		{"plain request gets ours", insert(config.PolicyReplace), false, requestFacts{}, result{opt82Insert, 0}},
		{"insertion off leaves request alone", noInsert(config.PolicyReplace), false, requestFacts{}, result{opt82None, 0}},
		{"bootp never gets option 82", insert(config.PolicyReplace), false, requestFacts{bootp: true}, result{opt82None, 0}},
		{"relayed request is forwarded untouched", insert(config.PolicyReplace), false, requestFacts{giaddrSet: true, hasOpt82: true}, result{opt82None, 0}},
		{"relayed request without option 82 gets none", insert(config.PolicyReplace), false, requestFacts{giaddrSet: true}, result{opt82None, 0}},
		{"untrusted with option 82 is dropped", insert(config.PolicyReplace), false, requestFacts{hasOpt82: true}, result{opt82Drop, ReasonUntrustedOpt82}},
		{"untrusted with option 82 is dropped even with keep", insert(config.PolicyKeep), false, requestFacts{hasOpt82: true}, result{opt82Drop, ReasonUntrustedOpt82}},
		{"untrusted with option 82 is dropped even without insertion", noInsert(config.PolicyKeep), false, requestFacts{hasOpt82: true}, result{opt82Drop, ReasonUntrustedOpt82}},
		{"trusted replace", insert(config.PolicyReplace), true, requestFacts{hasOpt82: true}, result{opt82Replace, 0}},
		{"trusted replace without insertion strips", noInsert(config.PolicyReplace), true, requestFacts{hasOpt82: true}, result{opt82Strip, 0}},
		{"trusted keep", insert(config.PolicyKeep), true, requestFacts{hasOpt82: true}, result{opt82None, 0}},
		{"trusted drop", insert(config.PolicyDrop), true, requestFacts{hasOpt82: true}, result{opt82Drop, ReasonPolicyDrop}},
		{"trusted without option 82 gets ours", insert(config.PolicyDrop), true, requestFacts{}, result{opt82Insert, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, r := option82Action(tt.o, tt.trusted, tt.facts)
			if diff := cmp.Diff(tt.want, result{a, r}); diff != "" {
				t.Errorf("option82Action (-want +got):\n%s", diff)
			}
		})
	}
}
