package web

import "strings"

// productImagePrefix is where the shop's own product images live; they
// accept ?w= (see images.go), so pages can offer a responsive srcset.
const productImagePrefix = "/images/products/"

// imageURL returns src at a width the image server renders; images hosted
// elsewhere are used as they are.
func imageURL(src string, width int) string {
	if !strings.HasPrefix(src, productImagePrefix) {
		return src
	}
	switch width {
	case 160:
		return src + "?w=160"
	case 320:
		return src + "?w=320"
	case 1200:
		return src + "?w=1200"
	}
	return src + "?w=600"
}

// imageSrcset offers the sizes the image server renders, largest last.
func imageSrcset(src string) string {
	if !strings.HasPrefix(src, productImagePrefix) {
		return ""
	}
	return src + "?w=160 160w, " + src + "?w=320 320w, " + src + "?w=600 600w, " + src + "?w=1200 1200w"
}
