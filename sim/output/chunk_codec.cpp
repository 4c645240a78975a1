#include "sim/output/chunk_codec.hpp"

#include <isa-l.h>
#include <isa-l/igzip_lib.h>

#include <bit>
#include <cstring>
#include <limits>
#include <memory>

namespace mss::output {

namespace {

/// ISA-L's level-1 working memory, one per thread.
unsigned char* level_buffer() {
    thread_local std::unique_ptr<unsigned char[]> buf(new unsigned char[ISAL_DEF_LVL1_SMALL]);
    return buf.get();
}

/// Byte planes of K-byte elements: one load per element, one sequential store per plane. Written
/// so that the compiler vectorises it (this file is built with -O3, see CMakeLists.txt).
template <class Word>
void shuffle_fixed(const std::uint8_t* __restrict in, std::size_t n, std::uint8_t* __restrict out) {
    constexpr std::size_t K = sizeof(Word);
    static_assert(std::endian::native == std::endian::little, "byte planes assume little-endian");
    for (std::size_t j = 0; j < K; ++j) {
        std::uint8_t* __restrict plane = out + j * n;
        for (std::size_t i = 0; i < n; ++i) {
            Word v;
            std::memcpy(&v, in + i * K, K);
            plane[i] = static_cast<std::uint8_t>(v >> (8 * j));
        }
    }
}

}  // namespace

void shuffle_bytes(const void* src, std::size_t n, std::size_t element_size, std::uint8_t* dst) {
    const auto* in = static_cast<const std::uint8_t*>(src);
    switch (element_size) {
        case 1:
            if (n > 0) std::memcpy(dst, in, n);
            return;
        case 2:
            shuffle_fixed<std::uint16_t>(in, n, dst);
            return;
        case 4:
            shuffle_fixed<std::uint32_t>(in, n, dst);
            return;
        case 8:
            shuffle_fixed<std::uint64_t>(in, n, dst);
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
