#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# host: medians per set from ab.sh output (stdin)
awk '
$1=="old"||$1=="new" { if ($2=="map") { s=$1; m[s]=m[s]" "$3; u[s]=u[s]" "$5; if ($8=="pin") { fp[s]=fp[s]" "$9; fu[s]=fu[s]" "$11 } } }
function mn(str,  a,n,i,m) { n=split(str,a," "); m=a[1]+0; for(i=2;i<=n;i++) if(a[i]+0<m) m=a[i]+0; return m }
function med(str,  a,n,i,j,t) { n=split(str,a," "); for(i=1;i<=n;i++)for(j=i+1;j<=n;j++)if(a[j]+0<a[i]+0){t=a[i];a[i]=a[j];a[j]=t}; return n%2?a[(n+1)/2]:(a[n/2]+a[n/2+1])/2 }
END { for (s in m) {
	printf "%s median: n=%d map %.0f unmap %.0f | floor pin %.0f unpin %.0f | map/floor %.2f unmap/floor %.2f\n", s, split(m[s],x," "), med(m[s]), med(u[s]), med(fp[s]), med(fu[s]), med(m[s])/med(fp[s]), med(u[s])/med(fu[s])
	printf "%s min:    n=%d map %.0f unmap %.0f | floor pin %.0f unpin %.0f | map/floor %.2f unmap/floor %.2f\n", s, split(m[s],x," "), mn(m[s]), mn(u[s]), mn(fp[s]), mn(fu[s]), mn(m[s])/mn(fp[s]), mn(u[s])/mn(fu[s]) } }'
