#include "sim/output/chunk_codec.hpp"

#ifdef MSS_HAVE_ISAL
#include <isa-l.h>
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mss::output {

namespace {

#ifdef MSS_HAVE_ISAL

/// ISA-L's level-1 working memory, one per thread.
unsigned char* level_buffer() {
    thread_local std::unique_ptr<unsigned char[]> buf(new unsigned char[ISAL_DEF_LVL1_SMALL]);
    return buf.get();
}

/// ISA-L level-1 deflate of `n` bytes into `dst`: a zlib stream (`wrapper` IGZIP_ZLIB) or raw
/// deflate blocks (IGZIP_DEFLATE). Unless `last`, the output is not final and ends byte-aligned
/// (a full flush), so that more blocks can follow. Returns the size written, 0 on overflow.
std::size_t level1(const std::uint8_t* src, std::size_t n, std::uint8_t* dst, std::size_t capacity,
                   bool zlib_wrapper, bool last) {
    constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max();
    if (n > kMax || capacity > kMax) return 0;
    // isal_deflate_stateless_init leaves fields as it finds them (the window size `hist_bits`,
    // the state's `has_hist`, which decides whether the hash table in level_buf is cleared):
    // taken from whatever was on the stack, they change the matches found (still a valid
    // stream of the same data, but not the same bytes, and a smaller window for some). So the
    // stream's fields and the state's scalars are zeroed first; the state's two large arrays
    // (80 kB) serve level 0 and stateful streams only.
    isal_zstream s;
    std::memset(static_cast<void*>(&s), 0,
                offsetof(isal_zstream, internal_state) + offsetof(isal_zstate, buffer));
    isal_deflate_stateless_init(&s);
    s.level = 1;
    s.level_buf = level_buffer();
    s.level_buf_size = ISAL_DEF_LVL1_SMALL;
    s.gzip_flag = zlib_wrapper ? IGZIP_ZLIB : IGZIP_DEFLATE;
    s.flush = last ? NO_FLUSH : FULL_FLUSH;
    s.end_of_stream = last ? 1 : 0;
    s.next_in = const_cast<std::uint8_t*>(src);
    s.avail_in = static_cast<std::uint32_t>(n);
    s.next_out = dst;
    s.avail_out = static_cast<std::uint32_t>(capacity);
    if (isal_deflate_stateless(&s) != COMP_OK) return 0;
    return s.total_out;
}

#else

/// Without ISA-L (a build with MSS_WITH_ISAL=OFF, or a site without it): zlib's level 1, the
/// same stream format, several times slower; results files read the same.
std::size_t level1(const std::uint8_t* src, std::size_t n, std::uint8_t* dst, std::size_t capacity,
                   bool zlib_wrapper, bool last) {
    constexpr std::size_t kMax = std::numeric_limits<uInt>::max();
    if (n > kMax || capacity > kMax) return 0;
    z_stream s{};
    if (deflateInit2(&s, 1, Z_DEFLATED, zlib_wrapper ? 15 : -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return 0;
    s.next_in = const_cast<Bytef*>(src);
    s.avail_in = static_cast<uInt>(n);
    s.next_out = dst;
    s.avail_out = static_cast<uInt>(capacity);
    const int rc = deflate(&s, last ? Z_FINISH : Z_FULL_FLUSH);
    // Complete only if all input was taken and, for a flush, the output was not cut short.
    const bool ok = last ? rc == Z_STREAM_END : rc == Z_OK && s.avail_in == 0 && s.avail_out > 0;
    const std::size_t size = s.total_out;
    deflateEnd(&s);
    return ok ? size : 0;
}

#endif

static_assert(std::endian::native == std::endian::little, "byte planes assume little-endian");

/// Byte planes of K-byte elements, element by element: one load, K stores. Plane j of the
/// output starts at out + j * stride.
template <class Word>
void shuffle_scalar(const std::uint8_t* in, std::size_t first, std::size_t n, std::uint8_t* out,
                    std::size_t stride) {
    constexpr std::size_t K = sizeof(Word);
    for (std::size_t i = first; i < n; ++i) {
        Word v;
        std::memcpy(&v, in + i * K, K);
        for (std::size_t j = 0; j < K; ++j)
            out[j * stride + i] = static_cast<std::uint8_t>(v >> (8 * j));
    }
}

#if defined(__SSE2__)
// SSE2 (every x86-64 CPU): 16 elements at a time. A byte plane of 32-bit words is extracted by
// shift, mask and two saturating packs (the masked values fit, so saturation never bites).

/// Stores the 4 byte planes of the 16 words in a..d at out[j * stride] (j = 0..3).
inline void store_planes4(__m128i a, __m128i b, __m128i c, __m128i d, std::uint8_t* out,
                          std::size_t stride) {
    const __m128i mask = _mm_set1_epi32(0xFF);
    for (int j = 0; j < 4; ++j) {
        const __m128i count = _mm_cvtsi32_si128(8 * j);
        const __m128i lo = _mm_packs_epi32(_mm_and_si128(_mm_srl_epi32(a, count), mask),
                                           _mm_and_si128(_mm_srl_epi32(b, count), mask));
        const __m128i hi = _mm_packs_epi32(_mm_and_si128(_mm_srl_epi32(c, count), mask),
                                           _mm_and_si128(_mm_srl_epi32(d, count), mask));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + static_cast<std::size_t>(j) * stride),
                         _mm_packus_epi16(lo, hi));
    }
}

inline __m128i load(const std::uint8_t* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

void shuffle2(const std::uint8_t* in, std::size_t n, std::uint8_t* out, std::size_t stride) {
    const __m128i mask = _mm_set1_epi16(0xFF);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m128i a = load(in + 2 * i), b = load(in + 2 * i + 16);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                         _mm_packus_epi16(_mm_and_si128(a, mask), _mm_and_si128(b, mask)));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + stride + i),
                         _mm_packus_epi16(_mm_srli_epi16(a, 8), _mm_srli_epi16(b, 8)));
    }
    shuffle_scalar<std::uint16_t>(in, i, n, out, stride);
}

void shuffle4(const std::uint8_t* in, std::size_t n, std::uint8_t* out, std::size_t stride) {
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16)
        store_planes4(load(in + 4 * i), load(in + 4 * i + 16), load(in + 4 * i + 32),
                      load(in + 4 * i + 48), out + i, stride);
    shuffle_scalar<std::uint32_t>(in, i, n, out, stride);
}

void shuffle8(const std::uint8_t* in, std::size_t n, std::uint8_t* out, std::size_t stride) {
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        // Split the 64-bit words into their low and high 32-bit halves, then as for 4 bytes.
        __m128i lo[4], hi[4];
        for (std::size_t k = 0; k < 4; ++k) {
            const std::uint8_t* p = in + 8 * i + 32 * k;
            const __m128i v0 = _mm_shuffle_epi32(load(p), _MM_SHUFFLE(3, 1, 2, 0));
            const __m128i v1 = _mm_shuffle_epi32(load(p + 16), _MM_SHUFFLE(3, 1, 2, 0));
            lo[k] = _mm_unpacklo_epi64(v0, v1);
            hi[k] = _mm_unpackhi_epi64(v0, v1);
        }
        store_planes4(lo[0], lo[1], lo[2], lo[3], out + i, stride);
        store_planes4(hi[0], hi[1], hi[2], hi[3], out + 4 * stride + i, stride);
    }
    shuffle_scalar<std::uint64_t>(in, i, n, out, stride);
}
#else
void shuffle2(const std::uint8_t* in, std::size_t n, std::uint8_t* out, std::size_t stride) {
    shuffle_scalar<std::uint16_t>(in, 0, n, out, stride);
}
void shuffle4(const std::uint8_t* in, std::size_t n, std::uint8_t* out, std::size_t stride) {
    shuffle_scalar<std::uint32_t>(in, 0, n, out, stride);
}
void shuffle8(const std::uint8_t* in, std::size_t n, std::uint8_t* out, std::size_t stride) {
    shuffle_scalar<std::uint64_t>(in, 0, n, out, stride);
}
#endif

}  // namespace

void shuffle_bytes(const void* src, std::size_t n, std::size_t element_size, std::uint8_t* dst) {
    shuffle_bytes(src, n, element_size, dst, n);
}

void shuffle_bytes(const void* src, std::size_t n, std::size_t element_size, std::uint8_t* dst,
                   std::size_t plane_stride) {
    const auto* in = static_cast<const std::uint8_t*>(src);
    switch (element_size) {
        case 1:
            if (n > 0) std::memcpy(dst, in, n);
            return;
        case 2:
            shuffle2(in, n, dst, plane_stride);
            return;
        case 4:
            shuffle4(in, n, dst, plane_stride);
            return;
        case 8:
            shuffle8(in, n, dst, plane_stride);
            return;
        default:  // one plane at a time: sequential stores
            for (std::size_t j = 0; j < element_size; ++j)
                for (std::size_t i = 0; i < n; ++i)
                    dst[j * plane_stride + i] = in[i * element_size + j];
    }
}

std::size_t deflate_zlib(const void* src, std::size_t n, void* dst, std::size_t capacity) {
    return level1(static_cast<const std::uint8_t*>(src), n, static_cast<std::uint8_t*>(dst),
                  capacity, true, true);
}

namespace {

/// A thread's scratch buffer of at least `n` bytes: grown when needed, never shrunk, never
/// zero-filled (a std::vector resized up for every chunk zero-fills what it adds, which cost a
/// quarter of the recorder's instructions).
std::uint8_t* scratch(std::unique_ptr<std::uint8_t[]>& buf, std::size_t& size, std::size_t n) {
    if (size < n) {
        buf.reset(new std::uint8_t[n]);
        size = n;
    }
    return buf.get();
}

void append(std::vector<std::uint8_t>& out, const std::uint8_t* p, std::size_t n) {
    out.insert(out.end(), p, p + n);
}

}  // namespace

bool deflate_chunk(const void* shuffled, std::size_t bytes, std::vector<std::uint8_t>& out) {
    thread_local std::unique_ptr<std::uint8_t[]> buf;
    thread_local std::size_t buf_size = 0;
    std::uint8_t* z = scratch(buf, buf_size, bytes);
    // A stream longer than its input is useless: store the chunk undeflated instead.
    const std::size_t size = deflate_zlib(shuffled, bytes, z, bytes);
    if (size > 0 && size < bytes) {
        append(out, z, size);
        return true;
    }
    append(out, static_cast<const std::uint8_t*>(shuffled), bytes);
    return false;
}

namespace {

/// Whether a byte plane looks uniformly random: distinct values among 512 samples (about 221
/// expected for uniform bytes, a few dozen for the planes that compress).
bool looks_random(const std::uint8_t* p, std::size_t n) {
    constexpr std::size_t kSamples = 512;
    if (n < 4 * kSamples) return false;
    bool seen[256] = {};
    std::size_t distinct = 0;
    const std::size_t step = n / kSamples;
    for (std::size_t i = 0; i < kSamples; ++i) {
        const std::uint8_t b = p[i * step];
        distinct += seen[b] ? 0 : 1;
        seen[b] = true;
    }
    return distinct >= 200;
}

}  // namespace

bool deflate_planes(const std::uint8_t* data, std::size_t planes, std::size_t plane_bytes,
                    std::vector<std::uint8_t>& out) {
    const std::size_t bytes = planes * plane_bytes;
    std::vector<char> stored(planes);
    bool any = false;
    for (std::size_t p = 0; p < planes; ++p)
        any |= (stored[p] = looks_random(data + p * plane_bytes, plane_bytes) ? 1 : 0) != 0;
    if (!any || bytes > std::numeric_limits<std::uint32_t>::max())
        return deflate_chunk(data, bytes, out);
    // zlib header (deflate, 32 KiB window, fastest), then a segment per run of planes of one
    // kind: deflated (byte-aligned by a full flush unless last) or stored blocks (at most
    // 65535 bytes each), then the Adler-32 of all the data, big-endian (RFC 1950, 1951).
    const std::size_t capacity = bytes + 64 * planes + 5 * (bytes / 65535 + planes) + 6;
    thread_local std::unique_ptr<std::uint8_t[]> buf;
    thread_local std::size_t buf_size = 0;
    std::uint8_t* o = scratch(buf, buf_size, capacity);
    std::size_t pos = 0;
    o[pos++] = 0x78;
    o[pos++] = 0x01;
    for (std::size_t p0 = 0; p0 < planes;) {
        std::size_t p1 = p0 + 1;
        while (p1 < planes && stored[p1] == stored[p0])
            ++p1;
        const bool last = p1 == planes;
        const std::uint8_t* src = data + p0 * plane_bytes;
        std::size_t len = (p1 - p0) * plane_bytes;
        if (stored[p0] != 0) {
            while (len > 0) {
                const std::size_t b = std::min<std::size_t>(len, 65535);
                o[pos++] = last && b == len ? 1 : 0;  // BFINAL, BTYPE 00 (stored)
                o[pos++] = static_cast<std::uint8_t>(b & 0xFF);
                o[pos++] = static_cast<std::uint8_t>(b >> 8);
                o[pos++] = static_cast<std::uint8_t>(~b & 0xFF);
                o[pos++] = static_cast<std::uint8_t>((~b >> 8) & 0xFF);
                std::memcpy(o + pos, src, b);
                pos += b;
                src += b;
                len -= b;
            }
        } else {
            const std::size_t n = level1(src, len, o + pos, capacity - pos - 4, false, last);
            if (n == 0) return deflate_chunk(data, bytes, out);
            pos += n;
        }
        p0 = p1;
    }
#ifdef MSS_HAVE_ISAL
    const std::uint32_t adler = isal_adler32(1, data, bytes);
#else
    const auto adler = static_cast<std::uint32_t>(adler32(1, data, static_cast<uInt>(bytes)));
#endif
    for (int shift = 24; shift >= 0; shift -= 8)
        o[pos++] = static_cast<std::uint8_t>(adler >> shift);
    if (pos >= bytes) {  // no gain: store the planes as they are
        append(out, data, bytes);
        return false;
    }
    append(out, o, pos);
    return true;
}

namespace {
/// True when the `bytes` bytes at `data` are all zero.
bool all_zero(const void* data, std::size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::size_t i = 0;
    for (; i + sizeof(std::uint64_t) <= bytes; i += sizeof(std::uint64_t)) {
        std::uint64_t w;
        std::memcpy(&w, p + i, sizeof w);
        if (w != 0) return false;
    }
    for (; i < bytes; ++i)
        if (p[i] != 0) return false;
    return true;
}
}  // namespace

bool encode_chunk(const void* data, std::size_t n, std::size_t element_size,
                  std::vector<std::uint8_t>& out) {
    const std::size_t bytes = n * element_size;
    if (bytes == 0) return false;  // a series of no columns (payer_balance without payers)
    if (all_zero(data, bytes)) {
        // A chunk of zeros (airport_closed in a run without closures, waiting_at_origin when
        // nobody waits) shuffles to zeros and deflates to the same bytes each time: encoded once
        // per size on each thread, then copied. The same bytes as encoding it anew.
        thread_local std::vector<std::uint8_t> zeros;
        thread_local std::size_t zeros_bytes = 0;
        thread_local bool zeros_deflated = false;
        if (zeros_bytes != bytes) {
            const std::vector<std::uint8_t> z(bytes, 0);
            zeros.clear();
            zeros_deflated = deflate_chunk(z.data(), bytes, zeros);
            zeros_bytes = bytes;
        }
        out.insert(out.end(), zeros.begin(), zeros.end());
        return zeros_deflated;
    }
    thread_local std::unique_ptr<std::uint8_t[]> buf;
    thread_local std::size_t buf_size = 0;
    std::uint8_t* shuffled = scratch(buf, buf_size, n * element_size);
    shuffle_bytes(data, n, element_size, shuffled);
    return deflate_chunk(shuffled, n * element_size, out);
}

PackedSeries pack_series(const RunRecord& r) {
    PackedSeries p;
    const auto f32 = r.float_series();
    std::size_t raw = r.regime.size();
    for (const auto* s : f32)
        raw += s->size() * sizeof(float);
    p.bytes.reserve(raw / 4 + 256);
    std::size_t before = 0;
    for (int i = 0; i < PackedSeries::kCount; ++i) {
        const bool regime = i == PackedSeries::kCount - 1;
        const void* data = regime
                               ? static_cast<const void*>(r.regime.data())
                               : static_cast<const void*>(f32[static_cast<std::size_t>(i)]->data());
        const std::size_t n = regime ? r.regime.size() : f32[static_cast<std::size_t>(i)]->size();
        const std::size_t element = regime ? 1 : sizeof(float);
        if (encode_chunk(data, n, element, p.bytes))
            p.deflated |= static_cast<std::uint16_t>(1u << i);
        p.raw_size[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>(n * element);
        p.size[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>(p.bytes.size() - before);
        before = p.bytes.size();
    }
    return p;
}

void pack(RunRecord& r) {
    if (!r.packed.empty()) return;
    r.packed = pack_series(r);
    r.drop_raw_series();
}

#ifdef MSS_HAVE_ISAL

std::uint64_t crc64(const void* data, std::size_t n, std::uint64_t crc) {
    return crc64_ecma_refl(crc, static_cast<const unsigned char*>(data), n);
}

std::string deflate_encoder_version() {
    return "isa-l " + std::to_string(ISAL_MAJOR_VERSION) + "." +
           std::to_string(ISAL_MINOR_VERSION) + "." + std::to_string(ISAL_PATCH_VERSION);
}

#else

std::uint64_t crc64(const void* data, std::size_t n, std::uint64_t crc) {
    // The same CRC-64/XZ a byte at a time (ISA-L folds 16 bytes per step).
    static const auto table = [] {
        std::array<std::uint64_t, 256> t{};
        for (std::uint64_t i = 0; i < 256; ++i) {
            std::uint64_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) != 0 ? (c >> 1) ^ 0xC96C5795D7870F42ULL : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    const auto* p = static_cast<const std::uint8_t*>(data);
    crc = ~crc;
    for (std::size_t i = 0; i < n; ++i)
        crc = table[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

std::string deflate_encoder_version() {
    return std::string("zlib ") + zlibVersion();
}

#endif

}  // namespace mss::output
