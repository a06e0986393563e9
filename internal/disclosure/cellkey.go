package disclosure

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// CellKey is consistent cell-key perturbation after the Australian Bureau of
// Statistics' TableBuilder: every record carries a random record key, a
// cell's key is the sum of its records' keys (modulo 2^64), and the noise
// added to the cell is a function of the cell's key and count only. So the
// same set of people always gets the same published number, whichever
// question put them in the cell (asking twice or averaging many answers
// gains nothing), while two cells that differ by one person have unrelated
// keys and so unrelated noise (differencing learns nothing certain).
//
// The noise is looked up through a keyed hash of the cell key with the
// instance's secret, so knowing the record keys (or the records) does not
// reveal the noise either.
type CellKey struct {
	Secret []byte
	// D is the largest perturbation (default 2): noise is drawn from
	// -D…D with the weights of Weights.
	D int
}

// weights of the perturbation -2…2, centred, variance 1.2: the ABS's
// published tables use a similar small symmetric table.
var weights = []float64{0.15, 0.2, 0.3, 0.2, 0.15}

// unit maps a cell key and count to [0,1) through HMAC-SHA-256 with the
// secret.
func (c CellKey) unit(key uint64, count int64) float64 {
	m := hmac.New(sha256.New, c.Secret)
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], key)
	binary.BigEndian.PutUint64(b[8:], uint64(count))
	m.Write(b[:])
	s := m.Sum(nil)
	return float64(binary.BigEndian.Uint64(s[:8])>>11) / (1 << 53)
}

// Perturb returns the published value of a cell of count people whose
// record keys sum to key. Counts of zero stay zero (an empty cell has no
// records and no key) and the result is never negative: noise that would
// take a count below zero is folded back to zero's side, as the ABS table
// does for small counts.
func (c CellKey) Perturb(count int64, key uint64) int64 {
	if count <= 0 {
		return 0
	}
	u := c.unit(key, count)
	d := c.D
	if d <= 0 {
		d = 2
	}
	w := weights
	if d != 2 {
		w = make([]float64, 2*d+1)
		for i := range w {
			w[i] = 1 / float64(2*d+1)
		}
	}
	acc := 0.0
	noise := int64(d)
	for i, p := range w {
		acc += p
		if u < acc {
			noise = int64(i - d)
			break
		}
	}
	v := count + noise
	if v < 0 {
		v = -v
	}
	return v
}

// Apply perturbs the published entries of a suppressed table in place.
// keys holds each interior cell's key (row-major, as Grid.Counts); a
// total's key is the sum of its cells' keys, so a total is perturbed as the
// cell of the same people would be in any other table. Primary and
// complementary suppression were decided on the true counts; a published
// non-zero value is never shown below k, so perturbation cannot make a
// published cell look small.
func (c CellKey) Apply(p *Protected, keys []uint64, k int) {
	R, C := p.Rows, p.Cols
	w := C + 1
	ext := make([]uint64, (R+1)*w)
	for i := 0; i < R; i++ {
		for j := 0; j < C; j++ {
			key := keys[i*C+j]
			ext[i*w+j] = key
			ext[i*w+C] += key
			ext[R*w+j] += key
			ext[R*w+C] += key
		}
	}
	for n, v := range p.Values {
		if p.Status[n].Suppressed() || v == 0 {
			continue
		}
		pv := c.Perturb(v, ext[n])
		if pv < int64(k) {
			pv = int64(k)
		}
		p.Values[n] = pv
	}
}
