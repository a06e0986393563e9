package federation

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
)

// fingerprintWords are 64 short, distinct English words: six bits each.
// The words make a misread obvious; the digits carry the strength.
var fingerprintWords = [64]string{
	"amber", "anchor", "apple", "arrow", "badge", "basket", "beacon", "bison",
	"bridge", "cactus", "canyon", "carpet", "cedar", "cherry", "cobalt", "comet",
	"copper", "coral", "cotton", "dragon", "eagle", "ember", "falcon", "fern",
	"forest", "garden", "ginger", "glacier", "harbor", "hazel", "island", "jasmine",
	"kettle", "lantern", "lemon", "lily", "magnet", "maple", "meadow", "mirror",
	"nectar", "oasis", "olive", "orbit", "otter", "pepper", "pebble", "pilot",
	"planet", "quartz", "rabbit", "river", "saddle", "silver", "sparrow", "summit",
	"tiger", "timber", "tulip", "velvet", "violet", "walnut", "willow", "zebra",
}

// Fingerprint is what two administrators compare, by telephone or in
// person, before trusting a peer: four words and thirty digits derived from
// the instance id and its active public keys. It is printed the same way on
// both sides.
func Fingerprint(instance string, sign ed25519.PublicKey, kem []byte) string {
	h := sha256.New()
	h.Write([]byte("haven-trm/fingerprint/v1\x00"))
	h.Write([]byte(instance))
	h.Write([]byte{0})
	h.Write(sign)
	h.Write(kem)
	sum := h.Sum(nil)
	var words []string
	for i := 0; i < 4; i++ {
		words = append(words, fingerprintWords[sum[i]&63])
	}
	var groups []string
	for i := 0; i < 6; i++ {
		// 40 bits per group reduced mod 10^5, like a safety number.
		v := binary.BigEndian.Uint64(append([]byte{0, 0, 0}, sum[4+i*4:4+i*4+5]...))
		groups = append(groups, fmt.Sprintf("%05d", v%100000))
	}
	return strings.Join(words, "-") + " " + strings.Join(groups, " ")
}

// Fingerprint of the identity's active keys.
func (id *Identity) Fingerprint() string {
	k := id.Active()
	return Fingerprint(id.Instance, k.SignPublic(), k.KEMPublic())
}
