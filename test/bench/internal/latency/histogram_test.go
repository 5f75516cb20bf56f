package latency

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestQuantile(t *testing.T) {
	tests := []struct {
		name   string
		values []time.Duration
		q      []float64
		want   []time.Duration
	}{
		{name: "empty", q: []float64{0.5}, want: []time.Duration{0}},
		{name: "one value", values: []time.Duration{100}, q: []float64{0, 0.5, 1}, want: []time.Duration{100, 100, 100}},
		{
			name:   "exact below 256 ns",
			values: []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
			q:      []float64{0.5, 0.9, 0.99, 2},
			want:   []time.Duration{5, 9, 10, 10},
		},
		{
			name:   "negative counts as zero",
			values: []time.Duration{-5, -5, 7},
			q:      []float64{0.5},
			want:   []time.Duration{0},
		},
		{
			name:   "middle of the bucket",
			values: []time.Duration{1000 * time.Microsecond},
			q:      []float64{0.5},
			want:   []time.Duration{1000*time.Microsecond - 1000*time.Microsecond%2048 + 1023},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, v := range tt.values {
				h.Record(v)
			}
			var got []time.Duration
			for _, q := range tt.q {
				got = append(got, h.Quantile(q))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("quantiles (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPrecision(t *testing.T) {
	var h Histogram
	for v := time.Duration(1); v < time.Hour; v = v*3/2 + 1 {
		h = Histogram{}
		h.Record(v)
		got := h.Quantile(0.5)
		if err := float64(got-v) / float64(v); err > 1.0/256 || err < -1.0/256 {
			t.Fatalf("Record(%v) reads back as %v: error %.4f", v, got, err)
		}
	}
}

func TestBucketsAreContiguous(t *testing.T) {
	prevHi := uint64(0)
	for i := 1; i < nBuckets; i++ {
		lo, hi := bounds(i)
		if lo != prevHi+1 || bucket(lo) != i || bucket(hi) != i {
			t.Fatalf("bucket %d = [%d, %d] after one ending at %d", i, lo, hi, prevHi)
		}
		prevHi = hi
		if hi == ^uint64(0) {
			break
		}
	}
}

func TestMerge(t *testing.T) {
	var a, b Histogram
	a.Record(10)
	b.Record(20)
	b.Record(30)
	a.Merge(&b)
	if diff := cmp.Diff([]any{uint64(3), time.Duration(20)}, []any{a.Count(), a.Quantile(0.5)}); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
}
