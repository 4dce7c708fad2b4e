package report

import "html/template"

// Assets returns uPlot's script and stylesheet, embedded once in this
// package, so other reports (the rehearsal's) draw with the same library
// without a second copy of it in the tree.
func Assets() (template.JS, template.CSS) {
	// Our own embedded files, not user input.
	return template.JS(uplotJS), template.CSS(uplotCSS)
}
