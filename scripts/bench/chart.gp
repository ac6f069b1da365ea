# The chart of `make bench`, one per kernel (scripts/bench/report.py runs it):
#   gnuplot -e "dat='…'; tax='…'; out='….svg'; kver='…'; modes='direct ftrace kprobe';
#               taxmax=60; taxnote='…'; taxtitle='…'" chart.gp
# dat: label, then per mode ratio, min, max (to getppid of the same run);
# tax: label, then per mode %, q1, q3 (loaded / unloaded - 1); bars above
# taxmax are cut, taxnote says what they reach.
set terminal svg size 860,760 font "sans,11" background rgb "white"
set termoption noenhanced
set output out
set rmargin 7
set multiplot layout 2,1 title sprintf("xyz on %s under QEMU TCG (medians over the cycles)", kver)
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics lc rgb "#dddddd"
set key top left horizontal
set xtics nomirror rotate by -20 offset -1,0
set ytics nomirror
set border 3
set ylabel "ratio to getppid (syscall)"
set yrange [0:*]
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#444444" lw 1
set arrow 2 from graph 0, first 1.15 to graph 1, first 1.15 nohead lc rgb "#b03030" dt 2
set arrow 3 from graph 0, first 1.6 to graph 1, first 1.6 nohead lc rgb "#b03030" dt 3
set label 2 "1.15" at graph 1.005, first 1.15 tc rgb "#b03030" font ",9"
set label 3 "1.6" at graph 1.005, first 1.6 tc rgb "#b03030" font ",9"
set title "NOP through each door (bare instruction unless libxyz) and three ordinary calls; bars: min..max"
plot for [i=1:words(modes)] dat using (column(3*i-1)):(column(3*i)):(column(3*i+1)):xtic(1) \
	title word(modes, i) lc i
unset arrow
unset label
set ylabel "tax, %"
set yrange [*:taxmax]
set xtics norotate offset 0,0
set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb "#444444" lw 1
set arrow 2 from graph 0, first 5 to graph 1, first 5 nohead lc rgb "#b03030" dt 2
set label 2 "5 %" at graph 1.005, first 5 tc rgb "#b03030" font ",9"
set title taxtitle
if (strlen(taxnote) > 0) set label 4 taxnote at graph 0.02, graph 0.80 left font ",10"
plot for [i=1:words(modes)] tax using (column(3*i-1)):(column(3*i)):(column(3*i+1)):xtic(1) \
	title word(modes, i) lc i
unset multiplot
