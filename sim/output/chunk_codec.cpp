#include "sim/output/chunk_codec.hpp"

#include <isa-l.h>
#include <isa-l/igzip_lib.h>

#include <bit>
#include <cstring>
#include <limits>
#include <memory>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace mss::output {

namespace {

/// ISA-L's level-1 working memory, one per thread.
unsigned char* level_buffer() {
    thread_local std::unique_ptr<unsigned char[]> buf(new unsigned char[ISAL_DEF_LVL1_SMALL]);
    return buf.get();
}

static_assert(std::endian::native == std::endian::little, "byte planes assume little-endian");

/// Byte planes of K-byte elements, element by element: one load, K stores.
template <class Word>
void shuffle_scalar(const std::uint8_t* in, std::size_t first, std::size_t n, std::uint8_t* out) {
    constexpr std::size_t K = sizeof(Word);
    for (std::size_t i = first; i < n; ++i) {
        Word v;
        std::memcpy(&v, in + i * K, K);
        for (std::size_t j = 0; j < K; ++j)
            out[j * n + i] = static_cast<std::uint8_t>(v >> (8 * j));
    }
}

#if defined(__SSE2__)
// SSE2 (every x86-64 CPU): 16 elements at a time. A byte plane of 32-bit words is extracted by
// shift, mask and two saturating packs (the masked values fit, so saturation never bites).

/// Stores the 4 byte planes of the 16 words in a..d at out[j * n] (j = 0..3).
inline void store_planes4(__m128i a, __m128i b, __m128i c, __m128i d, std::uint8_t* out,
                          std::size_t n) {
    const __m128i mask = _mm_set1_epi32(0xFF);
    for (int j = 0; j < 4; ++j) {
        const __m128i count = _mm_cvtsi32_si128(8 * j);
        const __m128i lo = _mm_packs_epi32(_mm_and_si128(_mm_srl_epi32(a, count), mask),
                                           _mm_and_si128(_mm_srl_epi32(b, count), mask));
        const __m128i hi = _mm_packs_epi32(_mm_and_si128(_mm_srl_epi32(c, count), mask),
                                           _mm_and_si128(_mm_srl_epi32(d, count), mask));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + static_cast<std::size_t>(j) * n),
                         _mm_packus_epi16(lo, hi));
    }
}

inline __m128i load(const std::uint8_t* p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

void shuffle2(const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
    const __m128i mask = _mm_set1_epi16(0xFF);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m128i a = load(in + 2 * i), b = load(in + 2 * i + 16);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                         _mm_packus_epi16(_mm_and_si128(a, mask), _mm_and_si128(b, mask)));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + n + i),
                         _mm_packus_epi16(_mm_srli_epi16(a, 8), _mm_srli_epi16(b, 8)));
    }
    shuffle_scalar<std::uint16_t>(in, i, n, out);
}

void shuffle4(const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16)
        store_planes4(load(in + 4 * i), load(in + 4 * i + 16), load(in + 4 * i + 32),
                      load(in + 4 * i + 48), out + i, n);
    shuffle_scalar<std::uint32_t>(in, i, n, out);
}

void shuffle8(const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
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
        store_planes4(lo[0], lo[1], lo[2], lo[3], out + i, n);
        store_planes4(hi[0], hi[1], hi[2], hi[3], out + 4 * n + i, n);
    }
    shuffle_scalar<std::uint64_t>(in, i, n, out);
}
#else
void shuffle2(const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
    shuffle_scalar<std::uint16_t>(in, 0, n, out);
}
void shuffle4(const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
    shuffle_scalar<std::uint32_t>(in, 0, n, out);
}
void shuffle8(const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
    shuffle_scalar<std::uint64_t>(in, 0, n, out);
}
#endif

}  // namespace

void shuffle_bytes(const void* src, std::size_t n, std::size_t element_size, std::uint8_t* dst) {
    const auto* in = static_cast<const std::uint8_t*>(src);
    switch (element_size) {
        case 1:
            if (n > 0) std::memcpy(dst, in, n);
            return;
        case 2:
            shuffle2(in, n, dst);
            return;
        case 4:
            shuffle4(in, n, dst);
            return;
        case 8:
            shuffle8(in, n, dst);
            return;
        default:  // one plane at a time: sequential stores
            for (std::size_t j = 0; j < element_size; ++j)
                for (std::size_t i = 0; i < n; ++i)
                    dst[j * n + i] = in[i * element_size + j];
    }
}

std::size_t deflate_zlib(const void* src, std::size_t n, void* dst, std::size_t capacity) {
    constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max();
    if (n > kMax || capacity > kMax) return 0;
    isal_zstream s;
    isal_deflate_stateless_init(&s);
    s.level = 1;
    s.level_buf = level_buffer();
    s.level_buf_size = ISAL_DEF_LVL1_SMALL;
    s.gzip_flag = IGZIP_ZLIB;
    s.flush = NO_FLUSH;
    s.end_of_stream = 1;
    s.next_in = static_cast<std::uint8_t*>(const_cast<void*>(src));
    s.avail_in = static_cast<std::uint32_t>(n);
    s.next_out = static_cast<std::uint8_t*>(dst);
    s.avail_out = static_cast<std::uint32_t>(capacity);
    if (isal_deflate_stateless(&s) != COMP_OK) return 0;
    return s.total_out;
}

bool deflate_chunk(const void* shuffled, std::size_t bytes, std::vector<std::uint8_t>& out) {
    const std::size_t at = out.size();
    // A stream longer than its input is useless: store the chunk undeflated instead.
    out.resize(at + bytes);
    const std::size_t size = deflate_zlib(shuffled, bytes, out.data() + at, bytes);
    if (size > 0 && size < bytes) {
        out.resize(at + size);
        return true;
    }
    if (bytes > 0) std::memcpy(out.data() + at, shuffled, bytes);
    return false;
}

bool encode_chunk(const void* data, std::size_t n, std::size_t element_size,
                  std::vector<std::uint8_t>& out) {
    thread_local std::vector<std::uint8_t> shuffled;
    shuffled.resize(n * element_size);
    shuffle_bytes(data, n, element_size, shuffled.data());
    return deflate_chunk(shuffled.data(), shuffled.size(), out);
}

PackedSeries pack_series(const RunRecord& r) {
    PackedSeries p;
    const std::vector<float>* f32[] = {&r.strength, &r.on_duty, &r.waiting_at_origin, &r.in_transit,
                                       &r.airport_open};
    std::size_t raw = r.regime.size();
    for (const auto* s : f32)
        raw += s->size() * sizeof(float);
    p.bytes.reserve(raw / 4 + 256);
    std::size_t before = 0;
    for (int i = 0; i < PackedSeries::kCount; ++i) {
        const bool regime = i == PackedSeries::kCount - 1;
        const void* data = regime ? static_cast<const void*>(r.regime.data())
                                  : static_cast<const void*>(f32[i]->data());
        const std::size_t n = regime ? r.regime.size() : f32[i]->size();
        const std::size_t element = regime ? 1 : sizeof(float);
        if (encode_chunk(data, n, element, p.bytes))
            p.deflated |= static_cast<std::uint8_t>(1u << i);
        p.raw_size[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>(n * element);
        p.size[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>(p.bytes.size() - before);
        before = p.bytes.size();
    }
    return p;
}

void pack(RunRecord& r) {
    if (!r.packed.empty()) return;
    r.packed = pack_series(r);
    for (auto* s : {&r.strength, &r.on_duty, &r.waiting_at_origin, &r.in_transit, &r.airport_open})
        *s = {};
    r.regime = {};
}

std::string deflate_encoder_version() {
    return "isa-l " + std::to_string(ISAL_MAJOR_VERSION) + "." +
           std::to_string(ISAL_MINOR_VERSION) + "." + std::to_string(ISAL_PATCH_VERSION);
}

}  // namespace mss::output
