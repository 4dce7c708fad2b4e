package cache

import (
	"net/http"
	"slices"
)

// maxVariantKeys bounds the keys a Vary marker remembers. The common
// Vary: Accept-Encoding has three variants; a header with many values
// (User-Agent) stops being remembered there and just allocates its key.
const maxVariantKeys = 8

// variantKeyOf is variantKey for a request that found the Vary marker m
// under primary. The variant part is built on the stack and matched
// against the keys already made for this marker, so a hit on a varying
// page (every compressible page varies on Accept-Encoding) reuses the
// stored key instead of allocating one per request.
func (m *entry) variantKeyOf(primary string, r *http.Request) string {
	var buf [128]byte
	suffix := appendVariant(buf[:0], m.varyNames, r)
	known := m.variantKeys.Load()
	if known != nil {
		for _, k := range *known {
			// The marker is stored under primary, so every key it
			// remembers starts with it; checking costs little next to
			// what serving another URL's page would.
			if len(k) == len(primary)+len(suffix) && k[len(primary):] == string(suffix) && k[:len(primary)] == primary {
				return k
			}
		}
	}
	key := primary + string(suffix)
	if known == nil || len(*known) < maxVariantKeys {
		var next []string
		if known != nil {
			next = slices.Clone(*known)
		}
		next = append(next, key)
		// Losing a race to another reader costs one allocation later.
		m.variantKeys.CompareAndSwap(known, &next)
	}
	return key
}
