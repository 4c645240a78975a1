// sim/output/h5_util.hpp — the small HDF5 steps every writer of sim/output shares: UTF-8
// strings, attributes, datasets without timestamps (so that identical runs give identical
// bytes), groups, and netCDF-4 dimension scales (the high-level H5DS library).
#pragma once

#include <H5Cpp.h>

#include <string>
#include <vector>

#include "sim/output/results_writer.hpp"

namespace mss::output::h5 {

/// A variable-length UTF-8 string type.
H5::StrType utf8_string();
/// Throws OutputError "HDF5: WHAT failed" when `status` is negative.
void check(herr_t status, const char* what);
/// A scalar UTF-8 string attribute.
void string_attr(H5::H5Object& obj, const std::string& name, const std::string& value);
/// A scalar attribute of `type`.
template <class T>
void scalar_attr(H5::H5Object& obj, const std::string& name, const H5::PredType& type, T value) {
    H5::Attribute a = obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
    a.write(type, &value);
}
/// A one-dimensional UTF-8 string attribute.
void string_list_attr(H5::H5Object& obj, const std::string& name,
                      const std::vector<std::string>& values);
/// Dataset creation properties without object timestamps.
H5::DSetCreatPropList dataset_props();
/// A group `name` (a path from the root) without object timestamps.
H5::Group make_group(H5::H5File& file, const char* name);
/// A one-dimensional int8 attribute.
void int8_list_attr(H5::H5Object& obj, const std::string& name,
                    const std::vector<std::int8_t>& values);
/// Makes `ds` a dimension scale (a netCDF dimension) named `name`.
void make_scale(H5::DataSet& ds, const std::string& name);
/// Attaches dimension scale `scale` to dimension `dim` of `ds`.
void attach(H5::DataSet& ds, const H5::DataSet& scale, unsigned dim);
/// A one-dimensional UTF-8 string dataset.
H5::DataSet string_dataset(H5::Group& where, const std::string& name,
                           const std::vector<std::string>& values);

}  // namespace mss::output::h5
