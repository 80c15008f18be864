// Package plot draws the figures of `kramers sweep` and `kramers reproduce` with gonum.org/v1/plot:
// measured escape times (sweep points) as points with Garwood 95% error bars, theory predictions as
// lines of distinct colour and dash pattern labelled with their kind, every axis labelled with its
// unit, and a legend placed where it covers no data: the first corner of the panel that holds no
// marker, error bar or line, else beside the panel (Figure.LegendPlacement).
package plot
