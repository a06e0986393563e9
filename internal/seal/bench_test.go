package seal

import (
	"bytes"
	"testing"
)

func BenchmarkSeal64(b *testing.B) {
	dk := fixedDataKey()
	pt := bytes.Repeat([]byte("x"), 64)
	b.SetBytes(64)
	for b.Loop() {
		if _, err := Seal(dk, "5d2c1a8e-3f4b-4c6d-9e8f-0a1b2c3d4e5f", "name", pt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen64(b *testing.B) {
	dk := fixedDataKey()
	ct := mustSeal(b, dk, "5d2c1a8e-3f4b-4c6d-9e8f-0a1b2c3d4e5f", "name", bytes.Repeat([]byte("x"), 64))
	b.SetBytes(64)
	for b.Loop() {
		if _, err := Open(dk, "5d2c1a8e-3f4b-4c6d-9e8f-0a1b2c3d4e5f", "name", ct); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnwrap(b *testing.B) {
	kr := fixedKeyring(b)
	_, w := newTestDataKey(b, kr, "rec-1")
	for b.Loop() {
		if _, err := kr.Unwrap("rec-1", w); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndexDocument(b *testing.B) {
	kr := fixedKeyring(b)
	for b.Loop() {
		kr.BlindIndex(KindDocument, "AB-123 456")
	}
}

func BenchmarkBlindIndexName(b *testing.B) {
	kr := fixedKeyring(b)
	for b.Loop() {
		kr.BlindIndex(KindName, "María de la Cruz")
	}
}

func BenchmarkNameTokens(b *testing.B) {
	kr := fixedKeyring(b)
	for b.Loop() {
		kr.NameTokens("María de la Cruz")
	}
}
