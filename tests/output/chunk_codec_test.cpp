// sim/output/chunk_codec.hpp: chunks encoded for direct writes must be exactly what HDF5's
// stock pipeline [shuffle, deflate] decodes: zlib's own inflate reads them back.
#include "sim/output/chunk_codec.hpp"

#include <zlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace mss::output;

namespace {

std::vector<std::uint8_t> reference_shuffle(const std::vector<std::uint8_t>& in, std::size_t k) {
    const std::size_t n = in.size() / k;
    std::vector<std::uint8_t> out(in.size());
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < k; ++j)
            out[j * n + i] = in[i * k + j];
    return out;
}

std::vector<std::uint8_t> inflate_all(const std::uint8_t* data, std::size_t n, std::size_t raw) {
    std::vector<std::uint8_t> out(raw);
    uLongf size = static_cast<uLongf>(raw);
    REQUIRE(uncompress(out.data(), &size, data, static_cast<uLong>(n)) == Z_OK);
    REQUIRE(size == raw);
    return out;
}

std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 g(seed);
    std::vector<std::uint8_t> v(n);
    for (auto& b : v)
        b = static_cast<std::uint8_t>(g());
    return v;
}

}  // namespace

TEST_CASE("byte shuffle matches HDF5's shuffle for every element size", "[output]") {
    for (std::size_t k : {1, 2, 4, 8, 25})
        for (std::size_t n : {0, 1, 7, 16, 33, 8192, 8195}) {
            const auto in = random_bytes(n * k, static_cast<unsigned>(k * 1000 + n));
            std::vector<std::uint8_t> out(in.size());
            shuffle_bytes(in.data(), n, k, out.data());
            CHECK(out == reference_shuffle(in, k));
        }
}

TEST_CASE("an encoded chunk inflates with zlib to the shuffled input", "[output]") {
    std::vector<float> series(730 * 6);
    for (std::size_t i = 0; i < series.size(); ++i)
        series[i] = static_cast<float>((i / 40) % 17);
    series[5] = std::numeric_limits<float>::quiet_NaN();
    std::vector<std::uint8_t> raw(series.size() * 4);
    std::memcpy(raw.data(), series.data(), raw.size());
    std::vector<std::uint8_t> out{0xAB};  // encode_chunk appends
    REQUIRE(encode_chunk(series.data(), series.size(), 4, out));
    CHECK(out.size() < raw.size() / 4);
    CHECK(out[0] == 0xAB);
    CHECK(inflate_all(out.data() + 1, out.size() - 1, raw.size()) == reference_shuffle(raw, 4));
}

TEST_CASE("an incompressible chunk is stored shuffled but not deflated", "[output]") {
    const auto raw = random_bytes(4096, 7);
    std::vector<std::uint8_t> out;
    CHECK_FALSE(encode_chunk(raw.data(), 1024, 4, out));
    CHECK(out == reference_shuffle(raw, 4));
    std::vector<std::uint8_t> planes(raw.size());
    shuffle_bytes(raw.data(), 1024, 4, planes.data());
    std::vector<std::uint8_t> out2;
    CHECK_FALSE(deflate_chunk(planes.data(), planes.size(), out2));
    CHECK(out2 == planes);
}

TEST_CASE("deflate_zlib reports a stream that does not fit", "[output]") {
    const auto raw = random_bytes(10000, 3);
    std::vector<std::uint8_t> out(100);
    CHECK(deflate_zlib(raw.data(), raw.size(), out.data(), out.size()) == 0);
}

TEST_CASE("packing a record keeps every series chunk and releases the raw series", "[output]") {
    RunRecord r;
    r.strength.assign(10 * 3, 600.0f);
    r.on_duty.assign(10 * 3, 590.0f);
    r.filled.assign(10 * 3, 580.0f);
    r.waiting_at_origin.assign(10 * 3, 0.0f);
    r.in_transit.assign(10 * 3, 0.0f);
    r.airport_open.assign(10 * 2, 1.0f);
    r.airport_closed.assign(10 * 2 * 4, 0.0f);
    r.airport_closed[17] = 0.25f;
    r.payer_balance.assign(10 * 2, 1.5e6f);
    r.regime.assign(10, 1);
    const PackedSeries p = pack_series(r);
    CHECK(p.raw_size == std::array<std::uint32_t, 9>{120, 120, 120, 120, 120, 80, 320, 80, 10});
    std::size_t at = 0;
    const auto f32 = r.float_series();
    for (std::size_t i = 0; i < 9; ++i) {
        std::vector<std::uint8_t> raw(p.raw_size[i]);
        if (i < 8)
            std::memcpy(raw.data(), f32[i]->data(), raw.size());
        else
            std::memcpy(raw.data(), r.regime.data(), raw.size());
        const std::size_t k = i < 8 ? 4 : 1;
        std::vector<std::uint8_t> stored;
        if ((p.deflated >> i) & 1u)
            stored = inflate_all(p.bytes.data() + at, p.size[i], p.raw_size[i]);
        else
            stored.assign(p.bytes.begin() + static_cast<std::ptrdiff_t>(at),
                          p.bytes.begin() + static_cast<std::ptrdiff_t>(at + p.size[i]));
        CHECK(stored == reference_shuffle(raw, k));
        at += p.size[i];
    }
    CHECK(at == p.bytes.size());
    RunRecord q = r;
    pack(q);
    CHECK(q.strength.empty());
    CHECK(q.filled.empty());
    CHECK(q.airport_closed.empty());
    CHECK(q.regime.empty());
    CHECK(q.packed.bytes == p.bytes);
    pack(q);  // packing twice keeps the packed series
    CHECK(q.packed.bytes == p.bytes);
}

namespace {

/// `kinds` gives each plane: 'r' random bytes, 'z' zeros, 's' a slow saw-tooth.
std::vector<std::uint8_t> planes_of(const std::string& kinds, std::size_t plane_bytes) {
    std::vector<std::uint8_t> v;
    unsigned seed = 1;
    for (char k : kinds) {
        const auto r = random_bytes(plane_bytes, seed++);
        for (std::size_t i = 0; i < plane_bytes; ++i)
            v.push_back(k == 'r' ? r[i] : k == 's' ? static_cast<std::uint8_t>((i / 512) % 16) : 0);
    }
    return v;
}

}  // namespace

TEST_CASE("planes that look random go into stored blocks of one valid zlib stream", "[output]") {
    // Random planes first, last, in the middle, and a stored run longer than one stored block
    // (65535 bytes); zlib's inflate must read every stream back.
    for (const std::string kinds : {"zzrrrzsz", "rzz", "zzr", "zrz", "srrs"}) {
        const std::size_t plane_bytes = kinds == "srrs" ? 40000 : 8192;
        const auto data = planes_of(kinds, plane_bytes);
        std::vector<std::uint8_t> out{0x55};
        INFO(kinds);
        REQUIRE(deflate_planes(data.data(), kinds.size(), plane_bytes, out));
        CHECK(out[0] == 0x55);
        CHECK(inflate_all(out.data() + 1, out.size() - 1, data.size()) == data);
        // Stored planes cost their size plus a few bytes; the rest compresses.
        const auto random = static_cast<std::size_t>(std::count(kinds.begin(), kinds.end(), 'r'));
        CHECK(out.size() - 1 >= random * plane_bytes);
        CHECK(out.size() - 1 < random * plane_bytes + 2000);
    }
}

TEST_CASE("all-random planes are stored as they are, no random plane means plain deflate",
          "[output]") {
    const auto random = planes_of("rrr", 8192);
    std::vector<std::uint8_t> out;
    CHECK_FALSE(deflate_planes(random.data(), 3, 8192, out));
    CHECK(out == random);
    const auto calm = planes_of("zsz", 8192);
    std::vector<std::uint8_t> a, b;
    CHECK(deflate_planes(calm.data(), 3, 8192, a));
    CHECK(deflate_chunk(calm.data(), calm.size(), b));
    CHECK(a == b);
}

TEST_CASE("shuffling into wider planes fills a slice of each plane and nothing else", "[output]") {
    for (std::size_t k : {1, 2, 4, 8, 3})
        for (std::size_t n : {0, 5, 16, 100}) {
            const std::size_t stride = 160, at = 37;
            const auto in = random_bytes(n * k, static_cast<unsigned>(k * 100 + n));
            std::vector<std::uint8_t> planes(k * stride + at, 0xEE);
            shuffle_bytes(in.data(), n, k, planes.data() + at, stride);
            const auto ref = reference_shuffle(in, k);
            for (std::size_t j = 0; j < k; ++j)
                for (std::size_t i = 0; i < stride; ++i) {
                    const std::size_t pos = at + j * stride + i;
                    if (pos >= planes.size()) continue;
                    INFO("k " << k << " n " << n << " plane " << j << " row " << i);
                    CHECK(planes[pos] == (i < n ? ref[j * n + i] : 0xEE));
                }
        }
}

namespace {

/// Leaves `v` in every 16-bit word of 256 KiB of the stack below the caller's frame: what an
/// encoder's uninitialised locals would then find.
[[gnu::noinline]] void leave_on_stack(std::uint16_t v) {
    volatile std::uint16_t junk[128 * 1024];
    for (auto& w : junk)
        w = v;
}

}  // namespace

TEST_CASE("a chunk encodes to the same bytes whatever the thread did before", "[output]") {
    // ISA-L's stream state has fields its init function leaves alone: the encoder must not
    // take them from whatever was on the stack (left there by encoding other data, say).
    const auto data = planes_of("zsszrrzs", 8192), other = planes_of("srzszzsr", 8192);
    std::vector<std::uint8_t> clean, scratch;
    leave_on_stack(0);
    deflate_chunk(data.data(), data.size(), clean);
    for (std::uint16_t v : {1, 9, 0xFFFF}) {
        INFO("stack words " << v);
        leave_on_stack(0);
        deflate_chunk(other.data(), other.size(), scratch);
        leave_on_stack(v);
        std::vector<std::uint8_t> again;
        deflate_chunk(data.data(), data.size(), again);
        CHECK(again == clean);
        leave_on_stack(0);
        deflate_planes(other.data(), 8, 8192, scratch);
        leave_on_stack(v);
        std::vector<std::uint8_t> planes_again;
        deflate_planes(data.data(), 8, 8192, planes_again);
        std::vector<std::uint8_t> planes_clean;
        leave_on_stack(0);
        deflate_planes(data.data(), 8, 8192, planes_clean);
        CHECK(planes_again == planes_clean);
    }
}

TEST_CASE("crc64 is CRC-64/XZ and continues across pieces", "[output]") {
    const std::string check = "123456789";
    CHECK(mss::output::crc64(check.data(), check.size()) == 0x995dc9bbdf1939faULL);
    CHECK(mss::output::crc64(nullptr, 0) == 0);
    const std::string a = "journal frame header", b = "and its payload";
    const std::string ab = a + b;
    CHECK(mss::output::crc64(b.data(), b.size(), mss::output::crc64(a.data(), a.size())) ==
          mss::output::crc64(ab.data(), ab.size()));
    std::string damaged = ab;
    damaged[7] ^= 0x01;
    CHECK(mss::output::crc64(damaged.data(), damaged.size()) !=
          mss::output::crc64(ab.data(), ab.size()));
}

TEST_CASE("a chunk of zeros encodes to the bytes a fresh deflate gives, whatever came before",
          "[output][codec]") {
    // encode_chunk keeps the encoding of a zero chunk per size and thread: it must be the
    // bytes deflate_chunk gives for the shuffled zeros, for each size, in any order.
    for (std::size_t n : {std::size_t{1000}, std::size_t{26280}, std::size_t{1000}}) {
        const std::vector<float> zeros(n, 0.0f);
        std::vector<std::uint8_t> direct;
        const std::vector<std::uint8_t> shuffled(n * sizeof(float), 0);
        const bool direct_deflated = deflate_chunk(shuffled.data(), shuffled.size(), direct);
        for (int twice = 0; twice < 2; ++twice) {
            std::vector<std::uint8_t> got{7};  // appended after what is there
            const bool deflated = encode_chunk(zeros.data(), n, sizeof(float), got);
            CHECK(deflated == direct_deflated);
            REQUIRE(got.size() == direct.size() + 1);
            CHECK(std::equal(direct.begin(), direct.end(), got.begin() + 1));
        }
        std::vector<float> one = zeros;
        one[n / 2] = 1.0f;  // not all zeros: encoded anew
        std::vector<std::uint8_t> a, b;
        encode_chunk(one.data(), n, sizeof(float), a);
        std::vector<std::uint8_t> sh(n * sizeof(float));
        shuffle_bytes(one.data(), n, sizeof(float), sh.data());
        deflate_chunk(sh.data(), sh.size(), b);
        CHECK(a == b);
    }
}
