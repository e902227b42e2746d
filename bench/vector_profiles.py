"""Lists the Vector API call sites that C2 inlined from a type profile shared by several vector classes, and
the ndarray methods whose memory accesses C2 compiled for heap segments as well.

Reads the output of -XX:+PrintCompilation with -XX:CompileCommand=PrintInlining (bench/vector_profiles.sh).
C2 prints a profiled inlining decision as "TypeProfile (hits/total counts) = <class>"; where hits is below
total on a jdk.incubator.vector class, the site saw more than one class. The JDK methods behind every vector
load and store share one profile of segment classes; once any code ran a vector access on a heap segment
(MemorySegment.ofArray, or the Java fallback of an operation without an intrinsic), every loop compiled
afterwards inlines HeapMemorySegmentImpl beside the native segment and checks for a heap base on each access.
Exits 1 when either is found.
"""
import re
import sys
from collections import defaultdict

COMPILE = re.compile(r'^\s*\d+\s+\d+\s+[%sbn! ]*\d\s+(\S+::\S+)')
PROFILE = re.compile(r'TypeProfile \((\d+)/(\d+) counts\) = jdk/incubator/vector/(\w+)')
CALLEE = re.compile(r'@ \d+\s+(\S+)')


def inlining_lines(lines):
    """Each line of an inlining tree with the method being compiled (the last compile line above it)."""
    method = None
    for line in lines:
        compiled = COMPILE.match(line)
        if compiled:
            method = compiled.group(1)
        else:
            yield method, line


def polluted_sites(lines):
    """{(compiled method, inlined callee): {vector classes seen with their share}}"""
    sites = defaultdict(dict)
    for method, line in inlining_lines(lines):
        for hits, total, cls in PROFILE.findall(line):
            if int(hits) < int(total):
                callee = CALLEE.search(line)
                sites[(method, callee.group(1) if callee else '?')][cls] = int(hits) / int(total)
    return sites


def heap_accesses(lines):
    """The compiled ndarray methods whose inlining tree contains a heap segment class."""
    return {method for method, line in inlining_lines(lines)
            if 'HeapMemorySegmentImpl' in line and method and method.startswith('org.tensorbridge.ndarray.')}


def main(path):
    with open(path, errors='replace') as f:
        lines = f.readlines()
    sites = polluted_sites(lines)
    heap = heap_accesses(lines)
    for (method, callee), classes in sorted(sites.items()):
        seen = ', '.join(f'{cls} {share:.0%}' for cls, share in sorted(classes.items()))
        print(f'POLLUTED {method} -> {callee}: {seen}')
    print(f'{len(sites)} Vector API call site(s) inlined from a profile of several vector classes')
    for method in sorted(heap):
        print(f'HEAP {method}')
    print(f'{len(heap)} ndarray method(s) compiled with heap segment accesses')
    return 1 if sites or heap else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
