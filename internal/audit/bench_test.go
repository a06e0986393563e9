package audit

import "testing"

const benchEvents = 100_000

func BenchmarkChain100k(b *testing.B) {
	in := make([]Event, benchEvents)
	for i := range in {
		in[i] = testEvent(i + 1)
	}
	b.ReportAllocs()
	for b.Loop() {
		var prev *Event
		for i := range in {
			e := Chain(prev, in[i])
			prev = &e
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchEvents), "ns/event")
}

func BenchmarkVerify100k(b *testing.B) {
	priv, pub, keyID := testKey(1)
	log := buildLog(benchEvents)
	var cps []Checkpoint
	for s := int64(1000); s <= benchEvents; s += 1000 {
		cps = append(cps, Sign(priv, keyID, log[s-1], s))
	}
	b.ReportAllocs()
	for b.Loop() {
		v := NewVerifier(pub)
		if err := feed(v, cps, log); err != nil {
			b.Fatal(err)
		}
		if sum, err := v.Finish(); err != nil || sum.Events != benchEvents {
			b.Fatal(sum, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchEvents), "ns/event")
}
